// Command xget-ferretdb runs FerretDB v1 (MongoDB wire protocol) as an embedded library.
//
// It exists because `go install github.com/FerretDB/FerretDB/cmd/ferretdb@v1.24.2` builds a binary
// that panics at start (the version file it embeds is git-ignored upstream, so the module lacks it);
// the embeddable `ferretdb` package does not need it. scripts/services.sh builds this into
// .var/ferretdb/bin/ and starts it with the SQLite handler on 127.0.0.1:27017.
//
// Flags:
//
//	-listen-addr  TCP address to listen on (default 127.0.0.1:27017)
//	-handler      sqlite or postgresql (default sqlite)
//	-data-dir     directory of the SQLite databases, one file per MongoDB database (sqlite handler)
//	-postgresql-url  connection string (postgresql handler)
//	-log-level    debug, info, warn or error (default warn; info logs every connection)
//	-pid-file     write our pid there once listening, remove it on exit
//
// SIGTERM or SIGINT stops it cleanly: the listener closes, open connections are waited for,
// and the backend is closed.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listenAddr := flag.String("listen-addr", "127.0.0.1:27017", "TCP address to listen on")
	handler := flag.String("handler", "sqlite", "backend handler: sqlite or postgresql")
	dataDir := flag.String("data-dir", "", "SQLite data directory (sqlite handler)")
	pgURL := flag.String("postgresql-url", "", "PostgreSQL URL (postgresql handler)")
	logLevel := flag.String("log-level", "warn", "log level: debug, info, warn, error")
	pidFile := flag.String("pid-file", "", "write the process id there")
	flag.Parse()

	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		fatal("bad -log-level %q: %s", *logLevel, err)
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	slog.SetDefault(logger)

	cfg := &ferretdb.Config{
		Listener: ferretdb.ListenerConfig{TCP: *listenAddr},
		Logger:   logger,
		Handler:  *handler,
	}

	switch *handler {
	case "sqlite":
		if *dataDir == "" {
			fatal("-data-dir is required for the sqlite handler")
		}
		dir, err := filepath.Abs(*dataDir)
		if err != nil {
			fatal("bad -data-dir: %s", err)
		}
		if err = os.MkdirAll(dir, 0o755); err != nil {
			fatal("cannot create -data-dir: %s", err)
		}
		// FerretDB wants a "file:" URI naming a directory, with a trailing slash.
		cfg.SQLiteURL = "file:" + strings.TrimSuffix(dir, "/") + "/"
	case "postgresql":
		if *pgURL == "" {
			fatal("-postgresql-url is required for the postgresql handler")
		}
		cfg.PostgreSQLURL = *pgURL
	default:
		fatal("unknown -handler %q (want sqlite or postgresql)", *handler)
	}

	// Fail fast and clearly when the address is taken: FerretDB's own listener would panic.
	probe, err := net.Listen("tcp", *listenAddr)
	if err != nil {
		fatal("cannot listen on %s: %s", *listenAddr, err)
	}
	_ = probe.Close()

	f, err := ferretdb.New(cfg)
	if err != nil {
		fatal("%s", err)
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()

	if *pidFile != "" {
		if err = os.WriteFile(*pidFile, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o644); err != nil {
			fatal("cannot write -pid-file: %s", err)
		}
		defer os.Remove(*pidFile)
	}

	// Do not call f.MongoDBURI() before Run: it needs the listener that Run starts.
	fmt.Fprintf(os.Stderr, "%s xget-ferretdb: starting on %s (handler %s, %s)\n",
		time.Now().Format(time.RFC3339), *listenAddr, *handler, cfg.SQLiteURL)

	if err = f.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
		logger.Error("FerretDB stopped", slog.String("error", err.Error()))
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "%s xget-ferretdb: stopped\n", time.Now().Format(time.RFC3339))
}

func fatal(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "xget-ferretdb: "+format+"\n", args...)
	os.Exit(2)
}
