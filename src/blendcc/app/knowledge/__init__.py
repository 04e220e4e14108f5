"""The knowledge base: articles written in Markdown, searched by agents, customers and the live conversation."""
