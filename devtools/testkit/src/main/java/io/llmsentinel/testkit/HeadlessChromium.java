package io.llmsentinel.testkit;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * For tests: Debian's headless Chromium (scripts/test.sh installs it) with the flags this machine
 * needs (no sandbox as root, no background networking into a closed network, a fresh profile). On
 * two busy cores it sometimes stalls before it paints, so each try is bounded and a few are made;
 * the caller's check on the output decides.
 */
public final class HeadlessChromium {
    private HeadlessChromium() {}

    /**
     * Runs {@code chromium --headless <flags> <action> <url>} up to {@code tries} times, each for
     * at most {@code secondsPerTry}, until {@code done} accepts the standard output; returns the
     * last standard output. Chromium's own messages are appended to {@code dir/chromium.log}.
     */
    public static String run(
            Path dir,
            String action,
            String url,
            List<String> extraFlags,
            int tries,
            int secondsPerTry,
            Predicate<String> done)
            throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path out = dir.resolve("chromium-out.txt");
        String last = "";
        for (int attempt = 1; attempt <= tries; attempt++) {
            Path profile = Files.createTempDirectory("chromium-");
            List<String> cmd =
                    new ArrayList<>(
                            List.of(
                                    "chromium",
                                    "--headless",
                                    "--no-sandbox",
                                    "--disable-gpu",
                                    "--disable-dev-shm-usage",
                                    "--disable-quic",
                                    "--no-first-run",
                                    "--disable-background-networking",
                                    "--disable-component-update",
                                    "--disable-sync",
                                    "--user-data-dir=" + profile));
            cmd.addAll(extraFlags);
            cmd.add(action);
            cmd.add(url);
            Process p =
                    new ProcessBuilder(cmd)
                            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                            .redirectError(
                                    ProcessBuilder.Redirect.appendTo(
                                            dir.resolve("chromium.log").toFile()))
                            .redirectOutput(out.toFile())
                            .start();
            if (!p.waitFor(secondsPerTry, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
            last = Files.readString(out);
            if (done.test(last)) {
                return last;
            }
        }
        return last;
    }
}
