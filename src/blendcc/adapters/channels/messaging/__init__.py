"""Messaging providers over HTTP: SMS (Twilio shapes), WhatsApp and Messenger (Graph API), Telegram."""
