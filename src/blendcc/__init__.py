"""blendcc: a blended, omnichannel contact-centre platform."""

__version__ = "0.1.0"
