FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

RUN useradd --create-home --uid 1000 examprep
COPY pyproject.toml README.md requirements.lock ./
# Exactly the locked versions, each checked against its hash (make lock regenerates the file).
RUN pip install --upgrade pip && pip install --require-hashes -r requirements.lock \
  && pip install --no-deps .
COPY . .
# Static files are collected at build and served by whitenoise (hashed, compressed).
RUN SECRET_KEY=build-only-not-secret SITE_URL=http://build.invalid python manage.py collectstatic --noinput
USER examprep

EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz').status == 200 else 1)"
CMD ["bin/serve"]
