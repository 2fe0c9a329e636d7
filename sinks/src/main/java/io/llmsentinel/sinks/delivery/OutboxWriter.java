package io.llmsentinel.sinks.delivery;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.metrics.MetricGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A sink writer whose records wait in one or more {@link Outbox}es: {@link #write} only adds,
 * {@link #snapshotState} stores what is undelivered (with each record's write time), {@link #flush}
 * never waits for a server (only the end of a bounded input drains, with a deadline).
 *
 * <p>A writer owns what its constructor is given and starts (clients, the dead-letter publisher,
 * the backlogs' threads) from the first line of that constructor: Flink never closes a writer it
 * did not get, so a constructor that fails calls {@link #closeAfterFailedStart} before it throws,
 * or every restart would leave threads behind that go on delivering the restored records.
 *
 * @param <T> what the sink receives
 * @param <E> what waits in the backlog
 */
public abstract class OutboxWriter<T, E> implements StatefulSinkWriter<T, OutboxState> {
    private static final Logger LOG = LoggerFactory.getLogger(OutboxWriter.class);

    private final ItemCodec<E> codec;
    private final Map<String, Outbox<E>> outboxes = new LinkedHashMap<>();

    protected OutboxWriter(ItemCodec<E> codec) {
        this.codec = codec;
    }

    /** Opens an outbox named {@code settings.name()}, with what the restored states hold for it. */
    protected Outbox<E> open(
            OutboxSettings settings,
            Outbox.Deliverer<E> deliverer,
            Outbox.DeadLetterer<E> deadLetterer,
            MetricGroup metrics,
            Collection<OutboxState> restored)
            throws IOException {
        List<Outbox.Pending<E>> items = new ArrayList<>();
        for (OutboxState s : restored) {
            if (s.name().equals(settings.name())) {
                for (OutboxState.Item item : s.items()) {
                    items.add(new Outbox.Pending<>(decode(s.name(), item), item.writtenAtMs()));
                }
            }
        }
        Outbox<E> o = new Outbox<>(settings, deliverer, deadLetterer, metrics, items);
        outboxes.put(settings.name(), o);
        return o;
    }

    /** The restored records of states that no open outbox took (an endpoint that was removed). */
    protected List<E> orphans(Collection<OutboxState> restored) throws IOException {
        List<E> items = new ArrayList<>();
        for (OutboxState s : restored) {
            if (!outboxes.containsKey(s.name())) {
                for (OutboxState.Item item : s.items()) {
                    items.add(decode(s.name(), item));
                }
            }
        }
        return items;
    }

    private E decode(String name, OutboxState.Item item) throws IOException {
        try {
            return codec.decode(item.bytes());
        } catch (IOException | RuntimeException e) {
            throw new IOException(
                    "the restored backlog of output '"
                            + name
                            + "' holds a record this build cannot read ("
                            + e.getMessage()
                            + "); restore with the build that wrote the checkpoint",
                    e);
        }
    }

    @Override
    public List<OutboxState> snapshotState(long checkpointId) throws IOException {
        List<OutboxState> states = new ArrayList<>(outboxes.size());
        for (Map.Entry<String, Outbox<E>> e : outboxes.entrySet()) {
            List<Outbox.Pending<E>> pending = e.getValue().pending();
            List<OutboxState.Item> items = new ArrayList<>(pending.size());
            for (Outbox.Pending<E> p : pending) {
                items.add(new OutboxState.Item(p.writtenAtMs(), codec.encode(p.item())));
            }
            states.add(new OutboxState(e.getKey(), items));
        }
        return states;
    }

    /** A checkpoint does not wait for any server; the end of a bounded input drains. */
    @Override
    public void flush(boolean endOfInput) throws IOException, InterruptedException {
        if (endOfInput) {
            for (Outbox<E> o : outboxes.values()) {
                o.drainAtEndOfInput();
            }
        }
    }

    @Override
    public void close() throws Exception {
        Exception first = null;
        for (Outbox<E> o : outboxes.values()) {
            try {
                o.close();
            } catch (Exception e) {
                first = first == null ? e : first;
            }
        }
        try {
            closeResources();
        } catch (Exception e) {
            first = first == null ? e : first;
        }
        if (first != null) {
            throw first;
        }
    }

    /**
     * For a constructor that failed: stops the backlogs it opened and closes its resources, then
     * the constructor throws {@code failure} (to which problems while closing are added).
     */
    protected final void closeAfterFailedStart(Throwable failure) {
        LOG.warn(
                "An output writer could not start ({}); closing the {} backlog(s) and the clients"
                        + " it had opened. Flink restarts the task; the cause is in the task's"
                        + " failure",
                failure.toString(),
                outboxes.size());
        try {
            close();
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            failure.addSuppressed(e);
        }
    }

    /**
     * Closes clients, connections and thread pools, after the outboxes stopped. Also called when
     * the constructor failed, so fields it had not set yet may be null.
     */
    protected abstract void closeResources() throws Exception;
}
