"""FastAPI adapter: thin routers, schemas, WebSocket streams; domain errors become HTTP errors here."""
