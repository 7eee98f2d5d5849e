"""vankien's HTTP server: linked-data pages, a SPARQL endpoint and dumps over one published build."""
