"""The web-chat channel (kind ``chat``): one adapter per configured widget instance."""
