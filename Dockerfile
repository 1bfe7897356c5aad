# samen-bot as an OCI image: `docker build -t samen-bot .` (docs/operations.md).
# Two stages: the first builds the wheel (and those of its dependencies), the second installs only
# those runtime wheels on a slim Python, runs as a non-root user and checks /healthz.

FROM python:3.12-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY schedules ./schedules
COPY storage ./storage
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.12-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    SAMEN_DATABASE_URL=sqlite:////data/samen.db \
    SAMEN_HTTP_HOST=0.0.0.0 \
    SAMEN_HTTP_PORT=8080 \
    SAMEN_LOG_FORMAT=json
RUN useradd --system --uid 10001 --user-group --home-dir /data --create-home samen
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir --no-index --find-links=/wheels samen-bot \
    && rm -rf /wheels
USER 10001:10001
WORKDIR /data
VOLUME ["/data"]
# 3000: Slack's POST /slack/events in HTTP mode; 8080: /healthz, /readyz, /metrics.
EXPOSE 3000 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('SAMEN_HTTP_PORT', '8080'), timeout=4)"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["samen-bot"]
CMD ["serve", "--host", "0.0.0.0", "--port", "3000"]
