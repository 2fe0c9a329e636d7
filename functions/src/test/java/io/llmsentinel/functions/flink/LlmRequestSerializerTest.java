package io.llmsentinel.functions.flink;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmsentinel.functions.model.LlmRequest;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

class LlmRequestSerializerTest {

    @Test
    void flinkUsesTheExplicitSerializerForRequests() {
        TypeInformation<LlmRequest> info = TypeInformation.of(LlmRequest.class);
        assertThat(info).isInstanceOf(LlmRequestTypeInfo.class);
        assertThat(info.createSerializer(new org.apache.flink.api.common.ExecutionConfig()))
                .isSameAs(LlmRequestSerializer.INSTANCE);
    }

    @Test
    void roundTripsEveryFieldIncludingNullsNaNAndLongText() throws Exception {
        LlmRequest full = new LlmRequest();
        full.eventTimeMs = 1_764_000_000_123L;
        full.service = "support-bot";
        full.environment = "prod";
        full.namespace = "";
        full.provider = "openai";
        full.operation = "chat";
        full.model = "gpt-4o";
        full.latencyMs = 812.5;
        full.ttftMs = 120;
        full.inputTokens = 1200;
        full.outputTokens = 340;
        full.costUsd = 0.0123;
        full.error = true;
        full.errorType = "rate_limit";
        full.traceId = "0af7651916cd43dd8448eb211c80319c";
        full.spanId = "b7ad6b7169203331";
        full.promptText = "é".repeat(70_000) + "\uD83D\uDE00";
        full.completionText = "ok";

        LlmRequest sparse = new LlmRequest(); // nulls and NaN everywhere
        sparse.service = "s";

        for (LlmRequest r : new LlmRequest[] {full, sparse}) {
            DataOutputSerializer out = new DataOutputSerializer(64);
            LlmRequestSerializer.INSTANCE.serialize(r, out);
            LlmRequest back =
                    LlmRequestSerializer.INSTANCE.deserialize(
                            new DataInputDeserializer(out.getCopyOfBuffer()));
            assertThat(back).isEqualTo(r);
            assertThat(back.errorType).isEqualTo(r.errorType);
            assertThat(back.traceId).isEqualTo(r.traceId);
            assertThat(back.spanId).isEqualTo(r.spanId);
            assertThat(back.promptText).isEqualTo(r.promptText);
            assertThat(back.completionText).isEqualTo(r.completionText);
            assertThat(back.namespace).isEqualTo(r.namespace);
            assertThat(LlmRequestSerializer.INSTANCE.copy(r)).isEqualTo(r).isNotSameAs(r);
        }
    }

    @Test
    void itsSnapshotRestoresItAsIs() {
        var snapshot = LlmRequestSerializer.INSTANCE.snapshotConfiguration();
        TypeSerializerSchemaCompatibility<LlmRequest> c =
                snapshot.resolveSchemaCompatibility(
                        LlmRequestSerializer.INSTANCE.snapshotConfiguration());
        assertThat(c.isCompatibleAsIs()).isTrue();
        assertThat(snapshot.restoreSerializer()).isSameAs(LlmRequestSerializer.INSTANCE);
    }

    @Test
    void everyFieldOfTheClassIsCarried() throws Exception {
        // A field added to LlmRequest but not to the serializer would vanish between operators.
        LlmRequest r = new LlmRequest();
        int n = 0;
        for (java.lang.reflect.Field f : LlmRequest.class.getFields()) {
            n++;
            if (f.getType() == String.class) {
                f.set(r, "v" + n);
            } else if (f.getType() == double.class) {
                f.setDouble(r, n + 0.5);
            } else if (f.getType() == long.class) {
                f.setLong(r, n);
            } else if (f.getType() == boolean.class) {
                f.setBoolean(r, true);
            } else {
                throw new AssertionError("a field type the test does not know: " + f);
            }
        }
        DataOutputSerializer out = new DataOutputSerializer(64);
        LlmRequestSerializer.INSTANCE.serialize(r, out);
        LlmRequest back =
                LlmRequestSerializer.INSTANCE.deserialize(
                        new DataInputDeserializer(out.getCopyOfBuffer()));
        LlmRequest copy = LlmRequestSerializer.INSTANCE.copy(r);
        for (java.lang.reflect.Field f : LlmRequest.class.getFields()) {
            assertThat(f.get(back)).as("serialized %s", f.getName()).isEqualTo(f.get(r));
            assertThat(f.get(copy)).as("copied %s", f.getName()).isEqualTo(f.get(r));
        }
    }
}
