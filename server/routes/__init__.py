"""One APIRouter per concern; `server.main` includes them all."""
