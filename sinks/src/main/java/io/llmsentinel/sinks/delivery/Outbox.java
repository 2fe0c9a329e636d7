package io.llmsentinel.sinks.delivery;

import io.llmsentinel.functions.config.DeliveryOptions.WhenFull;
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
import org.apache.flink.metrics.ThreadSafeSimpleCounter;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The backlog of one output and the thread that delivers it. The task thread only adds records
 * ({@link #add}); one background thread hands them to the server in batches, keeps what the server
 * could not take, and tries again with exponential backoff and jitter, for as long as the server is
 * away (up to {@link OutboxSettings#giveUpAfterMs()} per record from when it was written, then the
 * dead-letter topic). What is not yet delivered is part of the writer's checkpointed state ({@link
 * #pending()}, with each record's write time), so a checkpoint never waits for a server and a
 * restart loses nothing: a record may be delivered twice (after a restart) but never lost. Records
 * a server refuses for good, and records that waited too long, go to the dead-letter topic with the
 * reason; a failed dead-letter write is tried again like a delivery.
 *
 * <p>When the backlog is full ({@link OutboxSettings#maxItems()}), a new record is shed to the
 * dead-letter topic ({@link WhenFull#SHED}, the default: reason {@value #BACKLOG_FULL}, through an
 * {@link Overflow} with a thread of its own), so an output's outage delays that output only; or the
 * writer waits ({@link WhenFull#WAIT}: backpressure, which holds back detection and every other
 * output); or the oldest record is dropped ({@link WhenFull#DROP_OLDEST}, for telemetry and
 * caches).
 *
 * <p>Metrics (under the given group): {@code delivered}, {@code retried}, {@code deadLettered}
 * (every record put on the dead-letter topic, shed ones included), {@code shed} (of those, the ones
 * a full backlog shed), {@code dropped}, {@code backlog}, {@code shedPending} (shed records not yet
 * on the topic), {@code oldestPendingMs}, {@code serverDown} (1 while tries fail) and {@code
 * deliveryDelayMs} (written to delivered).
 */
public final class Outbox<E> implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Outbox.class);
    private static final long LOG_EVERY_MS = 10_000;

    /** The dead letters' reason for records a full backlog shed. */
    public static final String BACKLOG_FULL = "backlog_full";

    /** Delivers one batch; an outcome per record, in order. Should not throw; if it does, RETRY. */
    @FunctionalInterface
    public interface Deliverer<E> {
        List<Outcome> deliver(List<E> batch) throws InterruptedException;
    }

    /** Why records go to the dead-letter topic. */
    public enum Cause {
        /**
         * The server refused them for good, they were undelivered past give-up-after, or a bounded
         * input ended first: the dead letter carries the output's own reason.
         */
        UNDELIVERABLE,
        /** The backlog was full when they were written: reason {@value Outbox#BACKLOG_FULL}. */
        BACKLOG_FULL;

        /** The dead letter's reason: {@value Outbox#BACKLOG_FULL}, or the output's own. */
        public String reason(String outputsOwn) {
            return this == BACKLOG_FULL ? Outbox.BACKLOG_FULL : outputsOwn;
        }
    }

    /**
     * Puts records on the dead-letter topic, with the cause and what happened; throws when it could
     * not. An outbox without one (a cache) drops such records, counted.
     */
    @FunctionalInterface
    public interface DeadLetterer<E> {
        void deadLetter(List<E> records, Cause cause, String detail) throws Exception;
    }

    /**
     * A record not yet delivered, and when the output first took it (epoch ms): kept in the
     * checkpoint, so give-up-after counts from the write, not from the last restore.
     */
    public record Pending<E>(E item, long writtenAtMs) {}

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
    private final Overflow<E> overflow;
    private final Thread thread;
    private volatile boolean running = true;

    /** Why the delivery thread stopped, if it did: the task fails at its next record. */
    private volatile Throwable died;

    private boolean draining;
    private boolean ended;
    private long pausedUntilMs;
    private int consecutiveFailures;
    private volatile long downSinceMs;
    private volatile String lastError;
    private long lastRetryLogMs;
    private long lastFullLogMs;
    private long shedSoFar;

    private final Counter delivered;
    private final Counter retried;
    private final Counter deadLettered;
    private final Counter shed;
    private final Counter dropped;
    private final Histogram deliveryDelayMs;

    /**
     * @param restored what the checkpoint held for this output; a record without a known write time
     *     (a format 1 state) counts as written now
     */
    public Outbox(
            OutboxSettings settings,
            Deliverer<E> deliverer,
            DeadLetterer<E> deadLetterer,
            MetricGroup metrics,
            Collection<Pending<E>> restored) {
        if (settings.whenFull() == WhenFull.SHED && deadLetterer == null) {
            throw new IllegalArgumentException(
                    settings.name() + ": shedding a full backlog needs a dead-letter topic");
        }
        this.settings = settings;
        this.deliverer = deliverer;
        this.deadLetterer = deadLetterer;
        long now = System.currentTimeMillis();
        long oldest = now;
        for (Pending<E> p : restored) {
            long writtenAt =
                    p.writtenAtMs() == OutboxState.UNKNOWN_WRITE_TIME
                            ? now
                            : Math.min(now, p.writtenAtMs());
            oldest = Math.min(oldest, writtenAt);
            queue.addLast(new Entry<>(p.item(), writtenAt));
        }
        delivered = metrics.counter("delivered");
        retried = metrics.counter("retried");
        // counted from the task, the delivery and the shedding thread
        deadLettered = metrics.counter("deadLettered", new ThreadSafeSimpleCounter());
        shed = metrics.counter("shed", new ThreadSafeSimpleCounter());
        dropped = metrics.counter("dropped", new ThreadSafeSimpleCounter());
        deliveryDelayMs =
                metrics.histogram("deliveryDelayMs", new DescriptiveStatisticsHistogram(1000));
        metrics.gauge("backlog", this::size);
        metrics.gauge("oldestPendingMs", this::oldestPendingMs);
        metrics.gauge("serverDown", () -> consecutiveFailures > 0 ? 1 : 0);
        if (!restored.isEmpty()) {
            LOG.info(
                    "{}: {} undelivered record(s) restored from the checkpoint, the oldest"
                            + " written {} s ago; delivering them now (dead-lettered once"
                            + " undelivered for give-up-after, {} s)",
                    settings.name(),
                    restored.size(),
                    (now - oldest) / 1000,
                    settings.giveUpAfterMs() / 1000);
        }
        overflow =
                settings.whenFull() == WhenFull.SHED
                        ? new Overflow<>(
                                settings,
                                Overflow.CAPACITY,
                                deadLetterer,
                                this::shedReason,
                                shed,
                                deadLettered)
                        : null;
        metrics.gauge("shedPending", () -> overflow == null ? 0 : overflow.size());
        thread = new Thread(this::run, "deliver-" + settings.name());
        thread.setDaemon(true);
        try {
            thread.start();
        } catch (RuntimeException | Error e) {
            closeOverflow();
            throw e;
        }
    }

    /**
     * Adds a record. When the backlog is full: sheds it to the dead-letter topic ({@link
     * WhenFull#SHED}), waits ({@link WhenFull#WAIT}) or drops the oldest ({@link
     * WhenFull#DROP_OLDEST}, counted).
     */
    public void add(E item) throws InterruptedException {
        Pending<E> toShed = null;
        synchronized (lock) {
            failIfDead();
            while (queue.size() + inFlight.size() >= settings.maxItems()) {
                failIfDead();
                long now = System.currentTimeMillis();
                boolean log = now - lastFullLogMs > LOG_EVERY_MS;
                if (log) {
                    lastFullLogMs = now;
                }
                if (settings.whenFull() == WhenFull.SHED) {
                    toShed = new Pending<>(item, now);
                    shedSoFar++;
                    if (log) {
                        LOG.warn(
                                "{}: backlog full ({} records; {}); new records go to the"
                                        + " dead-letter topic (reason {}, {} so far), so that"
                                        + " detection and the other outputs go on. Replay them"
                                        + " from there once the server is back; a larger"
                                        + " sinks.delivery.max-backlog rides out longer outages",
                                settings.name(),
                                settings.maxItems(),
                                serverState(now),
                                BACKLOG_FULL,
                                shedSoFar);
                    }
                    break;
                }
                if (settings.whenFull() == WhenFull.DROP_OLDEST && !queue.isEmpty()) {
                    queue.pollFirst();
                    dropped.inc();
                    if (log) {
                        LOG.warn(
                                "{}: backlog full ({} records; {}); dropping the oldest ({} so"
                                        + " far)",
                                settings.name(),
                                settings.maxItems(),
                                serverState(now),
                                dropped.getCount());
                    }
                    break;
                }
                if (log) {
                    LOG.warn(
                            "{}: backlog full ({} records; {}); holding the pipeline back until"
                                    + " it drains{}",
                            settings.name(),
                            settings.maxItems(),
                            serverState(now),
                            settings.whenFull() == WhenFull.WAIT
                                    ? " (sinks.delivery.when-full: wait; 'shed' would"
                                            + " dead-letter new records instead)"
                                    : " (all of it is in flight)");
                }
                lock.wait(1000);
                if (!running || ended) {
                    throw new InterruptedException(settings.name() + " is closed");
                }
            }
            if (toShed == null) {
                queue.addLast(new Entry<>(item, System.currentTimeMillis()));
                if (queue.size() >= settings.batchSize() || settings.lingerMs() == 0) {
                    lock.notifyAll();
                }
            }
        }
        if (toShed != null) {
            overflow.add(toShed);
        }
    }

    /**
     * A delivery thread that stopped on a bug would leave the backlog to fill and every later
     * record shed or waiting: the task fails instead, and restarts from its last checkpoint, which
     * holds what was not delivered.
     */
    private void failIfDead() {
        Throwable why = died;
        if (why != null) {
            throw new IllegalStateException(
                    settings.name()
                            + ": the delivery thread stopped ("
                            + why
                            + "); failing the task so that it restarts from its last checkpoint",
                    why);
        }
    }

    /** Everything not yet delivered, oldest first, with write times: the writer's state. */
    public List<Pending<E>> pending() {
        synchronized (lock) {
            if (ended) {
                return List.of(); // the end of the input dead-lettered what was left
            }
            List<Pending<E>> out = new ArrayList<>(inFlight.size() + queue.size());
            for (Entry<E> e : inFlight) {
                out.add(new Pending<>(e.item, e.writtenAtMs));
            }
            for (Entry<E> e : queue) {
                out.add(new Pending<>(e.item, e.writtenAtMs));
            }
            if (overflow != null) {
                out.addAll(overflow.pending());
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

    private String serverState(long now) {
        long since = downSinceMs;
        String error = lastError;
        return (since == 0 ? "server answering" : "server away for " + (now - since) / 1000 + " s")
                + (error == null ? "" : ", last error: " + error);
    }

    /** The detail of a shed record's dead letter. */
    private String shedReason() {
        return settings.name()
                + ": backlog full ("
                + settings.maxItems()
                + " records; "
                + serverState(System.currentTimeMillis())
                + "); shed so that detection and the other outputs go on"
                + " (sinks.delivery.when-full: shed)";
    }

    /**
     * At the end of a bounded run: sends at once and waits up to {@code endOfInputWaitMs} for the
     * backlog (a batch in flight included) and the shed records to drain. What is left then, in
     * flight or not, goes to the dead-letter topic (what was in flight may arrive as well: at least
     * once), and delivery stops, so nothing is dropped unseen when the writer closes.
     */
    public void drainAtEndOfInput() throws InterruptedException {
        long deadline = System.currentTimeMillis() + settings.endOfInputWaitMs();
        List<E> left = new ArrayList<>();
        int stillInFlight;
        String error;
        synchronized (lock) {
            draining = true;
            pausedUntilMs = 0; // a backoff must not use up the wait: try at once
            lock.notifyAll();
            while (queue.size() + inFlight.size() > 0) {
                long wait = deadline - System.currentTimeMillis();
                if (wait <= 0) {
                    break;
                }
                lock.wait(Math.min(wait, 200));
            }
            ended = true;
            stillInFlight = inFlight.size();
            error = lastError;
            for (Entry<E> e : queue) {
                error = error == null ? e.lastError : error;
            }
            inFlight.forEach(e -> left.add(e.item));
            queue.forEach(e -> left.add(e.item));
            queue.clear();
            lock.notifyAll();
        }
        List<E> shedLeft = new ArrayList<>();
        if (overflow != null) {
            overflow.drain(deadline).forEach(p -> shedLeft.add(p.item()));
        }
        if (!left.isEmpty()) {
            deadLetterAtTheEnd(
                    left,
                    Cause.UNDELIVERABLE,
                    "undelivered at the end of the input after "
                            + settings.endOfInputWaitMs()
                            + " ms ("
                            + stillInFlight
                            + " of them still in flight, so possibly delivered as well; last"
                            + " error: "
                            + (error == null ? "none, the server was slow" : error)
                            + ")");
        }
        if (!shedLeft.isEmpty()) {
            deadLetterAtTheEnd(shedLeft, Cause.BACKLOG_FULL, shedReason());
        }
    }

    private void deadLetterAtTheEnd(List<E> items, Cause cause, String reason) {
        if (deadLetterer == null) {
            dropped.inc(items.size());
            LOG.warn("{}: {} record(s) dropped: {}", settings.name(), items.size(), reason);
            return;
        }
        try {
            deadLetterer.deadLetter(items, cause, reason);
            deadLettered.inc(items.size());
            if (cause == Cause.BACKLOG_FULL) {
                shed.inc(items.size());
            }
            LOG.warn(
                    "{}: {} record(s) sent to the dead-letter topic at the end of the input: {}",
                    settings.name(),
                    items.size(),
                    reason);
        } catch (Exception e) {
            dropped.inc(items.size());
            LOG.error(
                    "{}: {} record(s) could neither be delivered nor dead-lettered at the end of"
                            + " the input ({}): {}; they are lost, look for them in the server's"
                            + " or the dead-letter topic's logs",
                    settings.name(),
                    items.size(),
                    reason,
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
            died = e;
            LOG.error("{}: the delivery thread stopped: {}", settings.name(), e.toString(), e);
            synchronized (lock) {
                lock.notifyAll(); // a task waiting for room learns it at once
            }
        }
    }

    /** Waits until a batch is due (or null when closed or ended) and moves it in flight. */
    private List<Entry<E>> nextBatch() throws InterruptedException {
        synchronized (lock) {
            while (running && !ended) {
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

    private boolean ended() {
        synchronized (lock) {
            return ended;
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
        String error = null;
        int deliveredNow = 0;
        if (!toSend.isEmpty()) {
            List<E> items = new ArrayList<>(toSend.size());
            toSend.forEach(e -> items.add(e.item));
            List<Outcome> outcomes;
            try {
                outcomes = deliverer.deliver(items);
            } catch (RuntimeException e) {
                outcomes = null;
                error = e.toString();
            }
            now = System.currentTimeMillis();
            for (int i = 0; i < toSend.size(); i++) {
                Entry<E> e = toSend.get(i);
                Outcome o =
                        outcomes == null || i >= outcomes.size()
                                ? Outcome.retry(error == null ? "no outcome" : error)
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
                        error = o.reason();
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
        if (ended()) {
            // The end of the input has dead-lettered this batch with the rest.
            toReject.clear();
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
                deadLetterer.deadLetter(items, Cause.UNDELIVERABLE, r.getKey());
                deadLettered.inc(items.size());
                LOG.warn(
                        "{}: {} record(s) sent to the dead-letter topic: {}",
                        settings.name(),
                        items.size(),
                        r.getKey());
            } catch (Exception e) {
                error = "dead-letter topic: " + e;
                LOG.warn(
                        "{}: could not dead-letter {} record(s) ({}); trying again",
                        settings.name(),
                        items.size(),
                        e.toString());
                toRetry.addAll(r.getValue());
            }
        }
        finish(batch.size(), toRetry, deliveredNow, retryAfterMs, error);
    }

    private void finish(
            int batchSize,
            List<Entry<E>> toRetry,
            int deliveredNow,
            long retryAfterMs,
            String error) {
        synchronized (lock) {
            inFlight.clear();
            if (ended) {
                lock.notifyAll();
                return; // what this batch did not deliver was dead-lettered at the end
            }
            long now = System.currentTimeMillis();
            if (!toRetry.isEmpty()) {
                lastError = error;
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
                            error,
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
                lastError = null;
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
        closeOverflow();
        thread.interrupt();
        thread.join(5_000);
    }

    private void closeOverflow() {
        if (overflow == null) {
            return;
        }
        try {
            overflow.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
