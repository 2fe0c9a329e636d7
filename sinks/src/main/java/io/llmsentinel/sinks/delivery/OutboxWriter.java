package io.llmsentinel.sinks.delivery;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.metrics.MetricGroup;

/**
 * A sink writer whose records wait in one or more {@link Outbox}es: {@link #write} only adds,
 * {@link #snapshotState} stores what is undelivered, {@link #flush} never waits for a server (only
 * the end of a bounded input drains, with a deadline).
 *
 * @param <T> what the sink receives
 * @param <E> what waits in the backlog
 */
public abstract class OutboxWriter<T, E> implements StatefulSinkWriter<T, OutboxState> {
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
        List<E> items = new ArrayList<>();
        for (OutboxState s : restored) {
            if (s.name().equals(settings.name())) {
                for (byte[] b : s.items()) {
                    items.add(codec.decode(b));
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
                for (byte[] b : s.items()) {
                    items.add(codec.decode(b));
                }
            }
        }
        return items;
    }

    @Override
    public List<OutboxState> snapshotState(long checkpointId) throws IOException {
        List<OutboxState> states = new ArrayList<>(outboxes.size());
        for (Map.Entry<String, Outbox<E>> e : outboxes.entrySet()) {
            List<E> pending = e.getValue().pending();
            List<byte[]> items = new ArrayList<>(pending.size());
            for (E item : pending) {
                items.add(codec.encode(item));
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

    /** Closes clients, connections and thread pools, after the outboxes stopped. */
    protected abstract void closeResources() throws Exception;
}
