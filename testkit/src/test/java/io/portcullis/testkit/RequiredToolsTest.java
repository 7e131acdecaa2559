package io.portcullis.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

class RequiredToolsTest {
  @Test
  void aMissingToolFailsWithThePackageAndTheTestCommand() {
    AssertionFailedError failure =
        assertThrows(
            AssertionFailedError.class, () -> RequiredTools.check("sh", "portcullis-no-such-tool"));
    assertEquals(
        "'portcullis-no-such-tool' is not on PATH: install the Debian package"
            + " 'portcullis-no-such-tool' (apt-get install portcullis-no-such-tool) and run the"
            + " tests with scripts/test.sh",
        failure.getMessage());
  }

  @Test
  void knownToolsNameTheirDebianPackage() {
    assertEquals(
        "'docker-registry' is not on PATH: install the Debian package 'docker-registry'"
            + " (apt-get install docker-registry) and run the tests with scripts/test.sh",
        RequiredTools.missingMessage("docker-registry"));
  }
}
