package io.portcullis.gateway.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.gateway.errors.OciException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The robots admin API's input: every mistake a 400 that names the field. */
class RobotRequestTest {
  static final Set<String> ROLES = Set.of("ci", "team-a-dev");

  static RobotRequest parse(String body) {
    return RobotRequest.parse(body.getBytes(StandardCharsets.UTF_8), ROLES::contains);
  }

  @Test
  void aValidRequest() {
    RobotRequest r =
        parse("{\"name\":\"ci-a\",\"role\":\"ci\",\"ttl\":\"24h\",\"scopes\":[\"team-a/**\"]}");
    assertEquals(new RobotRequest("ci-a", "ci", List.of("team-a/**"), Duration.ofHours(24)), r);
    assertEquals(List.of(), parse("{\"name\":\"b\",\"role\":\"ci\",\"ttl\":\"1m\"}").scopes());
  }

  @ParameterizedTest(name = "[{index}] {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "not json                                                  | the body is not JSON",
        "[1,2]                                                     | must be a JSON object",
        "''                                                        | must be a JSON object",
        "{\"role\":\"ci\",\"ttl\":\"1h\"}                          | name: is required",
        "{\"name\":\"CI\",\"role\":\"ci\",\"ttl\":\"1h\"}          | name: 'CI' must be",
        "{\"name\":\"a/b\",\"role\":\"ci\",\"ttl\":\"1h\"}         | name: 'a/b' must be",
        "{\"name\":\"ci\",\"role\":\"root\",\"ttl\":\"1h\"}        | role: 'root' is not a role",
        "{\"name\":\"ci\",\"role\":[\"ci\"],\"ttl\":\"1h\"}        | role: is required, a string",
        "{\"name\":\"ci\",\"role\":\"ci\"}                         | ttl: is required",
        "{\"name\":\"ci\",\"role\":\"ci\",\"ttl\":\"soon\"}        | ttl: 'soon' is not a duration",
        "{\"name\":\"ci\",\"role\":\"ci\",\"ttl\":\"0s\"}          | ttl: must be between 1m and 366d",
        "{\"name\":\"ci\",\"role\":\"ci\",\"ttl\":\"400d\"}        | ttl: must be between 1m and 366d",
        "{\"name\":\"ci\",\"role\":\"ci\",\"ttl\":\"99999999999999999999d\"} | ttl: '99999999999999999999d'",
        "{\"name\":\"ci\",\"role\":\"ci\",\"ttl\":\"1h\",\"secret\":\"x\"} | unknown field 'secret'",
        "{\"name\":\"ci\",\"role\":\"ci\",\"ttl\":\"1h\",\"scopes\":\"a\"} | scopes: must be a list",
        "{\"name\":\"ci\",\"role\":\"ci\",\"ttl\":\"1h\",\"scopes\":[\"a/***\"]} | scopes: 'a/***'",
      })
  void mistakesAre400NamingTheField(String body, String message) {
    OciException e = assertThrows(OciException.class, () -> parse(body));
    assertEquals(400, e.status());
    assertTrue(e.getMessage().contains(message), e.getMessage());
  }
}
