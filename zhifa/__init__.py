"""Zhifa (执法): transport comprehensive law-enforcement command platform."""

__version__ = "0.1.0"
