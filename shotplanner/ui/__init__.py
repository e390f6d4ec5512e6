"""Qt widgets, item models, delegates and undo commands over the core."""
