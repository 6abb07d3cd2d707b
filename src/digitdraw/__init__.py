"""digitdraw: handwritten-digit recognition in the browser, trained with Keras."""

__version__ = "0.1.0"
