"""The error every parameter or scenario problem raises, in French."""


class ParameterError(Exception):
    """A parameter or scenario file that cannot be used; the message is in French."""
