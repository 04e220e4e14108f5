"""blendcc: a blended, omnichannel contact-centre platform."""

from blendcc import native as _native

__version__ = "0.1.0"

_native.install()
