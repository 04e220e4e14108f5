"""The live demo: a seeded small contact centre and a traffic client that drives it over the API."""
