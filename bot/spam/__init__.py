"""Spam and abuse handling: removal with undo, the penalty ladder, anti-flood, dry-run."""
