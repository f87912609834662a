# qbosync's image: the worker and the operator CLI (whose `serve` is the setup wizard),
# built in a Go image and copied into a small runtime. docker-compose.temporal.yml runs
# it as the workers and the wizard. Not built on the development machines here (no
# Docker engine); scripts/cluster.sh runs the same shape from `go build`.
#
#   docker build -t qbosync .
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 GOFLAGS=-buildvcs=false go build -trimpath -o /out/ ./worker ./starter

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/worker /out/starter /usr/local/bin/
# home: where a process keeps what it generates; mount a volume there, or set
# QBOSYNC_SECRETS_KEY and keep nothing.
ENV QBOSYNC_HOME=/home/nonroot/qbosync
WORKDIR /home/nonroot
USER nonroot
ENTRYPOINT ["/usr/local/bin/worker"]
