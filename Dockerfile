# Steward: slim Python, a non-root user, SQLite on a volume, settings from the environment.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    STEWARD_DATABASE_URL=sqlite+aiosqlite:////var/lib/steward/steward.db \
    STEWARD_MODEL_PATH=/opt/steward/steward-model.pkl

RUN useradd --create-home --uid 10001 steward \
    && mkdir -p /var/lib/steward /opt/steward \
    && chown steward:steward /var/lib/steward /opt/steward

WORKDIR /opt/steward
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY models ./models
COPY data ./data
RUN pip install . && rm -rf /root/.cache

USER steward
# Train the classifier at build time so the first start is instant.
RUN steward train --out "$STEWARD_MODEL_PATH"

VOLUME ["/var/lib/steward"]
WORKDIR /var/lib/steward
ENTRYPOINT ["steward"]
CMD ["run"]
