# One image for the gateway, the indexer and the mocks; the command picks the part.
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY core ./core
COPY gateway ./gateway
COPY testing ./testing
COPY adapters ./adapters
COPY mock_services ./mock_services
COPY contracts ./contracts
RUN pip install --no-cache-dir . && useradd --system ndxp && mkdir -p /app/var && chown ndxp /app/var
USER ndxp
ENTRYPOINT ["ndxp-sim"]
