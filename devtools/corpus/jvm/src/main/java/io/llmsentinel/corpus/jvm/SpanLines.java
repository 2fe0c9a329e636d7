package io.llmsentinel.corpus.jvm;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The corpus's spans.jsonl: one ExportTraceServiceRequest (OTLP/JSON) per line, as a Collector's
 * file or Kafka exporter would hold them. Each service's exporter writes into its own {@link
 * #exporterOutput()} stream, which hands over whole lines only, so the exports of two services
 * never interleave inside a line.
 */
final class SpanLines implements AutoCloseable {
    private final OutputStream file;
    private final AtomicLong lines = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();

    SpanLines(Path path) throws IOException {
        this.file = Files.newOutputStream(path);
    }

    /** A stream for one exporter: buffers a document until its newline, then appends the line. */
    OutputStream exporterOutput() {
        return new OutputStream() {
            private final ByteArrayOutputStream line = new ByteArrayOutputStream(64 * 1024);

            @Override
            public void write(int b) {
                line.write(b);
                if (b == '\n') {
                    handOver();
                }
            }

            @Override
            public void write(byte[] b, int off, int len) {
                for (int i = off; i < off + len; i++) {
                    write(b[i]);
                }
            }

            @Override
            public void flush() {
                // The exporter flushes after each document; the line is handed over at '\n'.
            }

            private void handOver() {
                append(line.toByteArray());
                line.reset();
            }
        };
    }

    private synchronized void append(byte[] documentLine) {
        if (documentLine.length <= 1) {
            return;
        }
        try {
            file.write(documentLine);
            file.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to spans.jsonl", e);
        }
        lines.incrementAndGet();
        bytes.addAndGet(documentLine.length);
    }

    long lines() {
        return lines.get();
    }

    long bytes() {
        return bytes.get();
    }

    @Override
    public synchronized void close() throws IOException {
        file.close();
    }
}
