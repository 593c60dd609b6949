"""countyedu: the county education bureau's planning, monitoring and supervision system."""

__version__ = "0.1.0"
