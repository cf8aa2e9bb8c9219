# Pantau: a slim image that runs `pantau run` as a non-root user; the database lives in /data.
#   docker build -t pantau .
#   docker run -d --name pantau --env-file .env -v pantau-data:/data pantau
# Dependencies are installed at the versions of constraints.txt, the ones the tests ran with.

FROM python:3.11-slim-bookworm AS build
WORKDIR /src
COPY pyproject.toml README.md constraints.txt ./
COPY bot ./bot
RUN pip wheel --no-cache-dir --constraint constraints.txt --wheel-dir /wheels .

FROM python:3.11-slim-bookworm
RUN useradd --create-home --uid 10001 pantau && mkdir /data && chown pantau:pantau /data
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir --no-index /wheels/*.whl && rm -rf /wheels
WORKDIR /app
COPY config ./config
ENV PANTAU_DB=/data/pantau.db \
    PANTAU_LISTEN_ADDRESS=0.0.0.0 \
    PYTHONUNBUFFERED=1
USER 10001
VOLUME ["/data"]
EXPOSE 8080 8443
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=4)"]
CMD ["pantau", "run"]
