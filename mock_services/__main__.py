"""Run the mock backends on their own: `python -m mock_services` (host and port from settings.mocks)."""

from __future__ import annotations

import uvicorn

from gateway.settings import Settings
from mock_services.app import create_mock_app


def main() -> None:
    settings = Settings()
    app = create_mock_app(settings)
    uvicorn.run(app, host=settings.mocks.host, port=settings.mocks.port, log_level="info")


if __name__ == "__main__":
    main()
