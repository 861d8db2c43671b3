"""Format modules that hand Django's date format settings back over its locale's own."""
