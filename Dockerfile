# The web app and the worker, one image. Not built or run on the project's machines (no Docker, no
# internet there): see README "Running in containers".
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    HF_HUB_OFFLINE=1 \
    PROMETHEUS_MULTIPROC_DIR=/tmp/prometheus

WORKDIR /app

# The CPU build of torch first: a bare `pip install torch` pulls a multi-gigabyte CUDA build.
ARG TORCH_SPEC=torch
RUN pip install "$TORCH_SPEC" --index-url https://download.pytorch.org/whl/cpu

# Dependencies before the code, so a code change does not reinstall them.
COPY pyproject.toml README.md ./
RUN pip install .

COPY . .
# Static files are served by whitenoise from the image, and so is MiniLM's ONNX graph (exported here
# once, not by each container's first worker). The settings only need a throwaway key here.
ENV EMBEDDING_MODEL_CACHE_DIR=/app/models
RUN SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput --verbosity 0 \
    && SECRET_KEY=build-only python manage.py shell -c "from ai_enrichment.embeddings import minilm_onnx_path; minilm_onnx_path()" \
    && useradd --create-home --uid 1000 app \
    && mkdir -p /app/var && chown app /app/var
USER app

EXPOSE 8000
# gunicorn's workers add up their request counters in PROMETHEUS_MULTIPROC_DIR, emptied at start.
CMD ["sh", "-c", "rm -rf \"$PROMETHEUS_MULTIPROC_DIR\" && mkdir -p \"$PROMETHEUS_MULTIPROC_DIR\" && exec gunicorn config.wsgi --bind 0.0.0.0:8000 --workers \"${WEB_CONCURRENCY:-3}\" --access-logfile - --graceful-timeout 5"]
