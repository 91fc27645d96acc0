package io.herald.dispatcher.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class OutboundUrlGuardTest {

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1",
            "0.0.0.0", "::1", "fe80::1", "fd12:3456::1", "224.0.0.1"})
    void internalAddressesAreRecognised(String ip) throws Exception {
        assertThat(OutboundUrlGuard.isInternal(InetAddress.getByName(ip))).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"8.8.8.8", "1.1.1.1", "100.128.0.1", "2001:4860:4860::8888"})
    void publicAddressesAreNot(String ip) throws Exception {
        assertThat(OutboundUrlGuard.isInternal(InetAddress.getByName(ip))).isFalse();
    }

    @Test
    void internalHostsAreRefusedUnlessAllowed() {
        OutboundUrlGuard strict = new OutboundUrlGuard(Optional.empty());
        OutboundUrlGuard lenient = new OutboundUrlGuard(Optional.of(List.of("127.0.0.0/8", "10.20.0.0/16")));

        assertThat(strict.refusal("http://127.0.0.1:5000/_matrix/push/v1/notify")).contains("internal address 127.0.0.1");
        assertThat(strict.refusal("http://169.254.169.254/latest/meta-data")).contains("169.254.169.254");
        assertThat(strict.refusal("http://[::1]/_matrix/push/v1/notify")).contains("internal address");
        assertThat(lenient.refusal("http://127.0.0.1:5000/_matrix/push/v1/notify")).isNull();
        assertThat(lenient.refusal("http://10.20.3.4/_matrix/push/v1/notify")).isNull();
        assertThat(lenient.refusal("http://10.21.3.4/_matrix/push/v1/notify")).contains("10.21.3.4");
        assertThat(strict.refusal("file:///etc/passwd")).contains("only absolute http(s) URLs");
        assertThat(strict.refusal("https://8.8.8.8/_matrix/push/v1/notify")).isNull();
    }
}
