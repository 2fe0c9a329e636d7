package io.llmsentinel.sinks.delivery;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The backlog of one output and the thread that delivers it. The task thread only adds records
 * ({@link #add}); one background thread hands them to the server in batches, keeps what the server
 * could not take, and tries again with exponential backoff and jitter, for as long as the server is
 * away (up to {@link OutboxSettings#giveUpAfterMs()} per record, then the dead-letter topic). What
 * is not yet delivered is part of the writer's checkpointed state ({@link #pending()}), so a
 * checkpoint never waits for a server and a restart loses nothing: an outage of an output stops
 * neither detection nor the other outputs, and a record may be delivered twice (after a restart)
 * but never lost. Records a server refuses for good, and records that waited too long, go to the
 * dead-letter topic with the reason; a failed dead-letter write is tried again like a delivery.
 *
 * <p>Metrics (under the given group): {@code delivered}, {@code retried}, {@code deadLettered},
 * {@code dropped}, {@code backlog}, {@code oldestPendingMs}, {@code serverDown} (1 while tries
 * fail) and {@code deliveryDelayMs} (written to delivered).
 */
public final class Outbox<E> implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Outbox.class);
    private static final long LOG_EVERY_MS = 10_000;

    /** Delivers one batch; an outcome per record, in order. Should not throw; if it does, RETRY. */
    @FunctionalInterface
    public interface Deliverer<E> {
        List<Outcome> deliver(List<E> batch) throws InterruptedException;
    }

    /**
     * Puts records on the dead-letter topic, with the reason; throws when it could not. An outbox
     * without one (a cache) drops such records, counted.
     */
    @FunctionalInterface
    public interface DeadLetterer<E> {
        void deadLetter(List<E> records, String reason) throws Exception;
    }

    private static final class Entry<E> {
        final E item;
        final long writtenAtMs;
        String lastError;
        String rejectReason;

        Entry(E item, long writtenAtMs) {
            this.item = item;
            this.writtenAtMs = writtenAtMs;
        }
    }

    private final OutboxSettings settings;
    private final Deliverer<E> deliverer;
    private final DeadLetterer<E> deadLetterer;
    private final Object lock = new Object();
    private final ArrayDeque<Entry<E>> queue = new ArrayDeque<>();
    private final List<Entry<E>> inFlight = new ArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;
    private boolean draining;
    private long pausedUntilMs;
    private int consecutiveFailures;
    private long downSinceMs;
    private long lastRetryLogMs;
    private long lastFullLogMs;

    private final Counter delivered;
    private final Counter retried;
    private final Counter deadLettered;
    private final Counter dropped;
    private final Histogram deliveryDelayMs;

    public Outbox(
            OutboxSettings settings,
            Deliverer<E> deliverer,
            DeadLetterer<E> deadLetterer,
            MetricGroup metrics,
            Collection<E> restored) {
        this.settings = settings;
        this.deliverer = deliverer;
        this.deadLetterer = deadLetterer;
        long now = System.currentTimeMillis();
        for (E e : restored) {
            queue.addLast(new Entry<>(e, now));
        }
        delivered = metrics.counter("delivered");
        retried = metrics.counter("retried");
        deadLettered = metrics.counter("deadLettered");
        dropped = metrics.counter("dropped");
        deliveryDelayMs =
                metrics.histogram("deliveryDelayMs", new DescriptiveStatisticsHistogram(1000));
        metrics.gauge("backlog", this::size);
        metrics.gauge("oldestPendingMs", this::oldestPendingMs);
        metrics.gauge("serverDown", () -> consecutiveFailures > 0 ? 1 : 0);
        if (!restored.isEmpty()) {
            LOG.info(
                    "{}: {} undelivered record(s) restored from the checkpoint",
                    settings.name(),
                    restored.size());
        }
        thread = new Thread(this::run, "deliver-" + settings.name());
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Adds a record. When the backlog is full, waits ({@link OutboxSettings.WhenFull#WAIT}) or
     * drops the oldest ({@link OutboxSettings.WhenFull#DROP_OLDEST}, counted).
     */
    public void add(E item) throws InterruptedException {
        synchronized (lock) {
            while (queue.size() + inFlight.size() >= settings.maxItems()) {
                long now = System.currentTimeMillis();
                boolean log = now - lastFullLogMs > LOG_EVERY_MS;
                if (log) {
                    lastFullLogMs = now;
                }
                if (settings.whenFull() == OutboxSettings.WhenFull.DROP_OLDEST
                        && !queue.isEmpty()) {
                    queue.pollFirst();
                    dropped.inc();
                    if (log) {
                        LOG.warn(
                                "{}: backlog full ({} records); dropping the oldest ({} so far)",
                                settings.name(),
                                settings.maxItems(),
                                dropped.getCount());
                    }
                    break;
                }
                if (log) {
                    LOG.warn(
                            "{}: backlog full ({} records, server away since {} ms); holding"
                                    + " the pipeline back until it drains",
                            settings.name(),
                            settings.maxItems(),
                            downSinceMs == 0 ? 0 : now - downSinceMs);
                }
                lock.wait(1000);
                if (!running) {
                    throw new InterruptedException(settings.name() + " is closed");
                }
            }
            queue.addLast(new Entry<>(item, System.currentTimeMillis()));
            if (queue.size() >= settings.batchSize() || settings.lingerMs() == 0) {
                lock.notifyAll();
            }
        }
    }

    /** Everything not yet delivered, oldest first: the writer's state at a checkpoint. */
    public List<E> pending() {
        synchronized (lock) {
            List<E> out = new ArrayList<>(inFlight.size() + queue.size());
            for (Entry<E> e : inFlight) {
                out.add(e.item);
            }
            for (Entry<E> e : queue) {
                out.add(e.item);
            }
            return out;
        }
    }

    public int size() {
        synchronized (lock) {
            return queue.size() + inFlight.size();
        }
    }

    private long oldestPendingMs() {
        synchronized (lock) {
            Entry<E> oldest = !inFlight.isEmpty() ? inFlight.get(0) : queue.peekFirst();
            return oldest == null ? 0 : System.currentTimeMillis() - oldest.writtenAtMs;
        }
    }

    /**
     * At the end of a bounded run: sends at once, waits up to {@code endOfInputWaitMs} for the
     * backlog to drain, and dead-letters what is left, so nothing is dropped unseen.
     */
    public void drainAtEndOfInput() throws InterruptedException {
        long deadline = System.currentTimeMillis() + settings.endOfInputWaitMs();
        List<Entry<E>> left;
        synchronized (lock) {
            draining = true;
            lock.notifyAll();
            while (queue.size() + inFlight.size() > 0) {
                long wait = deadline - System.currentTimeMillis();
                if (wait <= 0) {
                    break;
                }
                lock.wait(Math.min(wait, 200));
            }
            if (queue.isEmpty()) {
                return;
            }
            left = new ArrayList<>(queue);
            queue.clear();
        }
        String reason =
                "undelivered at the end of the input after "
                        + settings.endOfInputWaitMs()
                        + " ms (last error: "
                        + left.get(0).lastError
                        + ")";
        List<E> items = new ArrayList<>(left.size());
        left.forEach(e -> items.add(e.item));
        if (deadLetterer == null) {
            dropped.inc(items.size());
            LOG.warn("{}: {} record(s) dropped: {}", settings.name(), items.size(), reason);
            return;
        }
        try {
            deadLetterer.deadLetter(items, reason);
            deadLettered.inc(items.size());
        } catch (Exception e) {
            LOG.error(
                    "{}: {} record(s) could neither be delivered nor dead-lettered at the end of"
                            + " the input: {}",
                    settings.name(),
                    items.size(),
                    e.toString());
        }
    }

    private void run() {
        try {
            while (running) {
                List<Entry<E>> batch = nextBatch();
                if (batch == null) {
                    return;
                }
                deliver(batch);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
            LOG.error("{}: the delivery thread stopped: {}", settings.name(), e.toString(), e);
        }
    }

    /** Waits until a batch is due (or null when closed) and moves it in flight. */
    private List<Entry<E>> nextBatch() throws InterruptedException {
        synchronized (lock) {
            while (running) {
                long now = System.currentTimeMillis();
                long wait;
                if (queue.isEmpty()) {
                    wait = 1000;
                } else if (now < pausedUntilMs) {
                    wait = pausedUntilMs - now;
                } else {
                    long due = queue.peekFirst().writtenAtMs + settings.lingerMs();
                    if (queue.size() >= settings.batchSize() || draining || now >= due) {
                        List<Entry<E>> batch = new ArrayList<>(settings.batchSize());
                        while (batch.size() < settings.batchSize() && !queue.isEmpty()) {
                            batch.add(queue.pollFirst());
                        }
                        inFlight.addAll(batch);
                        return batch;
                    }
                    wait = due - now;
                }
                lock.wait(Math.max(1, Math.min(wait, 1000)));
            }
            return null;
        }
    }

    private void deliver(List<Entry<E>> batch) throws InterruptedException {
        long now = System.currentTimeMillis();
        List<Entry<E>> toSend = new ArrayList<>(batch.size());
        Map<String, List<Entry<E>>> toReject = new LinkedHashMap<>();
        for (Entry<E> e : batch) {
            if (e.rejectReason != null) {
                toReject.computeIfAbsent(e.rejectReason, r -> new ArrayList<>()).add(e);
            } else {
                toSend.add(e);
            }
        }
        List<Entry<E>> toRetry = new ArrayList<>();
        long retryAfterMs = 0;
        String lastError = null;
        int deliveredNow = 0;
        if (!toSend.isEmpty()) {
            List<E> items = new ArrayList<>(toSend.size());
            toSend.forEach(e -> items.add(e.item));
            List<Outcome> outcomes;
            try {
                outcomes = deliverer.deliver(items);
            } catch (RuntimeException e) {
                outcomes = null;
                lastError = e.toString();
            }
            for (int i = 0; i < toSend.size(); i++) {
                Entry<E> e = toSend.get(i);
                Outcome o =
                        outcomes == null || i >= outcomes.size()
                                ? Outcome.retry(lastError == null ? "no outcome" : lastError)
                                : outcomes.get(i);
                switch (o.kind()) {
                    case DELIVERED -> {
                        deliveredNow++;
                        deliveryDelayMs.update(Math.max(0, now - e.writtenAtMs));
                    }
                    case REJECT -> {
                        e.rejectReason = o.reason();
                        toReject.computeIfAbsent(o.reason(), r -> new ArrayList<>()).add(e);
                    }
                    case RETRY -> {
                        e.lastError = o.reason();
                        lastError = o.reason();
                        retryAfterMs = Math.max(retryAfterMs, o.retryAfterMs());
                        if (now - e.writtenAtMs >= settings.giveUpAfterMs()) {
                            e.rejectReason =
                                    "undelivered after "
                                            + (now - e.writtenAtMs) / 1000
                                            + " s (give-up-after "
                                            + settings.giveUpAfterMs() / 1000
                                            + " s); last error: "
                                            + o.reason();
                            toReject.computeIfAbsent(e.rejectReason, r -> new ArrayList<>()).add(e);
                        } else {
                            toRetry.add(e);
                        }
                    }
                }
            }
            delivered.inc(deliveredNow);
        }
        for (Map.Entry<String, List<Entry<E>>> r : toReject.entrySet()) {
            List<E> items = new ArrayList<>(r.getValue().size());
            r.getValue().forEach(e -> items.add(e.item));
            if (deadLetterer == null) {
                dropped.inc(items.size());
                LOG.warn("{}: {} record(s) dropped: {}", settings.name(), items.size(), r.getKey());
                continue;
            }
            try {
                deadLetterer.deadLetter(items, r.getKey());
                deadLettered.inc(items.size());
                LOG.warn(
                        "{}: {} record(s) sent to the dead-letter topic: {}",
                        settings.name(),
                        items.size(),
                        r.getKey());
            } catch (Exception e) {
                lastError = "dead-letter topic: " + e;
                LOG.warn(
                        "{}: could not dead-letter {} record(s) ({}); trying again",
                        settings.name(),
                        items.size(),
                        e.toString());
                toRetry.addAll(r.getValue());
            }
        }
        finish(batch.size(), toRetry, deliveredNow, retryAfterMs, lastError);
    }

    private void finish(
            int batchSize,
            List<Entry<E>> toRetry,
            int deliveredNow,
            long retryAfterMs,
            String lastError) {
        synchronized (lock) {
            inFlight.clear();
            long now = System.currentTimeMillis();
            if (!toRetry.isEmpty()) {
                toRetry.sort((a, b) -> Long.compare(a.writtenAtMs, b.writtenAtMs));
                for (int i = toRetry.size() - 1; i >= 0; i--) {
                    queue.addFirst(toRetry.get(i));
                }
                retried.inc(toRetry.size());
                if (consecutiveFailures == 0) {
                    downSinceMs = now;
                }
                consecutiveFailures++;
                long cap =
                        Math.min(
                                settings.maxBackoffMs(),
                                settings.initialBackoffMs()
                                        << Math.min(20, consecutiveFailures - 1));
                long backoff = ThreadLocalRandom.current().nextLong(cap / 2, cap + 1);
                pausedUntilMs = now + Math.max(backoff, Math.min(retryAfterMs, 60_000));
                if (now - lastRetryLogMs > LOG_EVERY_MS || consecutiveFailures == 1) {
                    lastRetryLogMs = now;
                    LOG.warn(
                            "{}: {} of {} record(s) not delivered ({}); {} failed tries in a row"
                                    + " over {} s, {} waiting, next try in {} ms",
                            settings.name(),
                            toRetry.size(),
                            batchSize,
                            lastError,
                            consecutiveFailures,
                            (now - downSinceMs) / 1000,
                            queue.size(),
                            pausedUntilMs - now);
                }
            } else if (deliveredNow > 0 || batchSize > 0) {
                if (consecutiveFailures > 0) {
                    LOG.info(
                            "{}: delivering again after {} s and {} failed tries; {} waiting",
                            settings.name(),
                            (now - downSinceMs) / 1000,
                            consecutiveFailures,
                            queue.size());
                }
                consecutiveFailures = 0;
                downSinceMs = 0;
                pausedUntilMs = 0;
            }
            lock.notifyAll();
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        running = false;
        synchronized (lock) {
            lock.notifyAll();
        }
        thread.interrupt();
        thread.join(5_000);
    }
}
