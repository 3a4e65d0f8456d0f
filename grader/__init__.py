"""backprop-grader: grades back-propagation exercises and names the mistakes it finds."""
__version__ = "0.1.0"
