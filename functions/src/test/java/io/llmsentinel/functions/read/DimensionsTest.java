package io.llmsentinel.functions.read;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DimensionsTest {

    @Test
    void keepsOrdinaryValuesAsTheSameInstance() {
        String v = "chat-api-\u00e9\u4e2d\ud83d\ude00";
        assertThat(Dimensions.clean(v)).isSameAs(v);
        String max = "m".repeat(Dimensions.MAX_CHARS);
        assertThat(Dimensions.clean(max)).isSameAs(max);
        assertThat(Dimensions.clean(null)).isNull();
    }

    @Test
    void cutsLongValuesWithAMark() {
        String cut = Dimensions.clean("x".repeat(70_000));
        assertThat(cut).hasSize(Dimensions.MAX_CHARS);
        assertThat(cut).endsWith("x" + Dimensions.MARK);
    }

    @Test
    void neverSplitsASurrogatePairWhenCutting() {
        // 254 ASCII chars then an emoji (a pair) crossing the cut
        String v = "a".repeat(Dimensions.MAX_CHARS - 2) + "\ud83d\ude00" + "tail";
        String cut = Dimensions.clean(v);
        assertThat(cut).endsWith("a" + Dimensions.MARK);
        assertThat(cut.codePoints().noneMatch(c -> Character.isSurrogate((char) c))).isTrue();
        assertThat(cut.length()).isLessThanOrEqualTo(Dimensions.MAX_CHARS);
    }

    @Test
    void replacesControlCharactersAndLoneSurrogates() {
        assertThat(Dimensions.clean("a\nb\u0000c\u009f")).isEqualTo("a\ufffdb\ufffdc\ufffd");
        assertThat(Dimensions.clean("x\ud800")).isEqualTo("x\ufffd");
        assertThat(Dimensions.clean("\udc00y")).isEqualTo("\ufffdy");
    }
}
