package io.llmsentinel.sinks.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class OutboxStateSerializerTest {
    private final OutboxStateSerializer serializer = new OutboxStateSerializer();

    @Test
    void keepsEachRecordWithItsWriteTime() throws IOException {
        OutboxState state =
                new OutboxState(
                        "webhook:ops",
                        List.of(
                                new OutboxState.Item(1_764_000_000_000L, bytes("first")),
                                new OutboxState.Item(1_764_000_000_500L, new byte[0])));
        byte[] serialized = serializer.serialize(state);
        OutboxState back = serializer.deserialize(OutboxStateSerializer.VERSION, serialized);

        assertThat(serializer.getVersion()).isEqualTo(2);
        assertThat(back.name()).isEqualTo("webhook:ops");
        assertThat(back.items())
                .extracting(OutboxState.Item::writtenAtMs)
                .containsExactly(1_764_000_000_000L, 1_764_000_000_500L);
        assertThat(back.items().get(0).bytes()).isEqualTo(bytes("first"));
        assertThat(back.items().get(1).bytes()).isEmpty();
        // written into a buffer of its exact size
        assertThat(serialized).hasSize(4 + 11 + 4 + (8 + 4 + 5) + (8 + 4));
    }

    /** Format 1 had no write times: its records restore with an unknown one. */
    @Test
    void readsFormat1() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(b);
        out.writeInt(9);
        out.write(bytes("anomalies"));
        out.writeInt(2);
        out.writeInt(3);
        out.write(bytes("one"));
        out.writeInt(3);
        out.write(bytes("two"));

        OutboxState s = serializer.deserialize(1, b.toByteArray());

        assertThat(s.name()).isEqualTo("anomalies");
        assertThat(s.items())
                .extracting(i -> new String(i.bytes(), StandardCharsets.UTF_8))
                .containsExactly("one", "two");
        assertThat(s.items())
                .extracting(OutboxState.Item::writtenAtMs)
                .containsOnly(OutboxState.UNKNOWN_WRITE_TIME);
    }

    @Test
    void refusesFormatsItDoesNotKnowAndCorruptLengths() throws IOException {
        byte[] ok = serializer.serialize(OutboxState.of("x", List.of(bytes("a"))));
        assertThatThrownBy(() -> serializer.deserialize(3, ok))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("format 3");
        byte[] corrupt = ok.clone();
        corrupt[corrupt.length - 2] = 0x7f; // the record's length now runs past the end
        assertThatThrownBy(() -> serializer.deserialize(2, corrupt))
                .isInstanceOf(IOException.class);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
