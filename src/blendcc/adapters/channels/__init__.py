"""Channel adapters: translate SIP, chat, email, SMS and social traffic into engine commands."""
