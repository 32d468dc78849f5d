"""The knowledge base: help-centre articles ingested from files, chunked, embedded and searched."""
