"""Steward: community-management assistant for Telegram and VK."""

__version__ = "0.1.0"
