from fastapi import APIRouter

from server.routes.deps import StoreDep

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz(store: StoreDep) -> dict[str, str]:
    """Liveness, and which build is being served."""
    return {"status": "ok", "build_id": str(store.manifest["build_id"])}
