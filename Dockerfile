# Pantau: a slim image that runs `pantau run` as a non-root user; the database lives in /data.
#   docker build -t pantau .
#   docker run -d --name pantau -e TELEGRAM_BOT_TOKEN=... -v pantau-data:/data pantau

FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 pantau && mkdir /data && chown pantau:pantau /data
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
WORKDIR /app
COPY config ./config
ENV PANTAU_DB=/data/pantau.db \
    PYTHONUNBUFFERED=1
USER pantau
VOLUME ["/data"]
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=4)"]
CMD ["pantau", "run"]
