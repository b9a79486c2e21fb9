package dev.timerguard.lint.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class AllowCommentTest {

  @Test
  void findsLineCommentsWithRulesAndReasons() {
    List<AllowComment> found =
        AllowComment.find(
            "class A {\n"
                + "  void m() {\n"
                + "    x(); // timerguard:allow TG101, TG102 warm-up loop runs three times\n"
                + "    // timerguard:allow TG106\n"
                + "  }\n"
                + "}\n");
    assertThat(found).hasSize(2);
    assertThat(found.get(0).line()).isEqualTo(3);
    assertThat(found.get(0).ruleIds()).containsExactlyInAnyOrder("TG101", "TG102");
    assertThat(found.get(0).reason()).isEqualTo("warm-up loop runs three times");
    assertThat(found.get(1).reason()).isEmpty();
  }

  @Test
  void proseInDocCommentsAndStringsIsNotASuppression() {
    List<AllowComment> found =
        AllowComment.find(
            "/**\n"
                + " * Write {@code // timerguard:allow TG101} to suppress.\n"
                + " */\n"
                + "class A {\n"
                + "  /* // timerguard:allow TG102 */\n"
                + "  String s = \"// timerguard:allow TG103\";\n"
                + "}\n");
    assertThat(found).isEmpty();
  }
}
