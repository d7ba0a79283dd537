package io.jilium.agent.observer;

import static io.jilium.agent.observer.FlowRecords.buf;
import static io.jilium.agent.observer.FlowRecords.header;
import static io.jilium.agent.observer.FlowRecords.tcp;
import static org.assertj.core.api.Assertions.assertThat;

import io.jilium.api.flow.Flow;
import io.jilium.api.flow.Service;
import io.jilium.api.flow.TraceObservationPoint;
import io.jilium.api.flow.TraceReason;
import io.jilium.api.flow.TrafficDirection;
import io.jilium.api.flow.Verdict;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Datapath notification bytes (bpf/lib/maps.h) into Hubble flows. */
class FlowDecoderTest {
  private static final ObserverDirectory.EndpointView CLIENT =
      new ObserverDirectory.EndpointView(
          1, 300, "ns1", "client", List.of("k8s:app=client"), "lxc1", 11);
  private static final ObserverDirectory.EndpointView WEB =
      new ObserverDirectory.EndpointView(2, 301, "ns1", "web", List.of("k8s:app=web"), "lxc2", 12);
  private static final ObserverDirectory DIR =
      new ObserverDirectory(
          "node-a",
          Map.of(1, CLIENT, 2, WEB),
          Map.of("10.0.0.1", CLIENT, "10.0.0.2", WEB),
          Map.of(2, List.of("reserved:world")),
          Map.of());

  private final FlowDecoder decoder = new FlowDecoder(() -> DIR, 1_000_000_000L);

  @Test
  void aReplyTraceIntoThePodIsAnEgressReplyWithBothEndsNamed() {
    byte[] r = header(FlowDecoder.TYPE_TRACE, 0, 1, tcp(2, 1, 80, 40000, 0x12));
    ByteBuffer b = buf(r);
    b.putInt(16, 301);
    b.putInt(20, 300);
    b.put(26, (byte) 2); // reply
    b.putInt(28, 11);
    Flow f = decoder.decode(r);

    assertThat(f.getVerdict()).isEqualTo(Verdict.FORWARDED);
    assertThat(f.getTraceObservationPoint()).isEqualTo(TraceObservationPoint.TO_ENDPOINT);
    assertThat(f.getTraceReason()).isEqualTo(TraceReason.REPLY);
    assertThat(f.getIsReply().getValue()).isTrue();
    assertThat(f.getTrafficDirection()).isEqualTo(TrafficDirection.EGRESS);
    assertThat(f.getSource().getPodName()).isEqualTo("web");
    assertThat(f.getDestination().getPodName()).isEqualTo("client");
    assertThat(f.getDestination().getLabelsList()).containsExactly("k8s:app=client");
    assertThat(f.getL4().getTCP().getFlags().getSYN()).isTrue();
    assertThat(f.getL4().getTCP().getFlags().getACK()).isTrue();
    assertThat(f.getInterface().getName()).isEqualTo("lxc1");
    assertThat(f.getEventType().getType()).isEqualTo(4);
    assertThat(f.getNodeName()).isEqualTo("node-a");
    assertThat(f.getTime().getSeconds()).as("monotonic + offset").isEqualTo(1 + 5);
  }

  @Test
  void aDeniedVerdictFromTheWorldNamesTheRemoteByItsIdentity() {
    byte[] r = header(FlowDecoder.TYPE_POLICY_VERDICT, 0, 2, tcp(99, 2, 5555, 80, 0x02));
    ByteBuffer b = buf(r);
    b.putInt(16, 2); // remote: world
    b.putInt(20, -133);
    b.put(27, (byte) 1); // ingress
    b.put(28, (byte) 0); // no match
    Flow f = decoder.decode(r);

    assertThat(f.getVerdict()).isEqualTo(Verdict.DROPPED);
    assertThat(f.getDropReasonDescValue()).isEqualTo(133);
    assertThat(f.getPolicyMatchType()).isZero();
    assertThat(f.getTrafficDirection()).isEqualTo(TrafficDirection.INGRESS);
    assertThat(f.getSource().getIdentity()).isEqualTo(2);
    assertThat(f.getSource().getLabelsList()).containsExactly("reserved:world");
    assertThat(f.getDestination().getIdentity()).isEqualTo(301);
  }

  @Test
  void aDropCarriesItsReasonAndSourceLine() {
    byte[] r = header(FlowDecoder.TYPE_DROP, 181, 1, tcp(1, 2, 40000, 8080, 0x02));
    ByteBuffer b = buf(r);
    b.putInt(16, 300);
    b.putInt(20, 301);
    b.putShort(28, (short) 90);
    b.put(30, (byte) 123);
    b.put(36, (byte) 2); // egress
    Flow f = decoder.decode(r);

    assertThat(f.getVerdict()).isEqualTo(Verdict.DROPPED);
    assertThat(f.getDropReasonDesc().name()).isEqualTo("POLICY_DENY");
    assertThat(f.getFile().getName()).isEqualTo("policy.h");
    assertThat(f.getFile().getLine()).isEqualTo(90);
    assertThat(f.getTrafficDirection()).isEqualTo(TrafficDirection.EGRESS);
    assertThat(f.hasIsReply()).as("unknown for drops").isFalse();
  }

  @Test
  void endsAtAServiceFrontendNameTheService() {
    Service web = Service.newBuilder().setNamespace("ns1").setName("web-svc").build();
    ObserverDirectory dir =
        new ObserverDirectory(
            "node-a",
            DIR.endpointsById(),
            DIR.endpointsByIp(),
            DIR.identityLabels(),
            Map.of(),
            Map.of("10.0.0.99", Map.of(80, web)));
    FlowDecoder d = new FlowDecoder(() -> dir, 0);

    // the client towards the frontend (a packet the datapath has not translated yet)
    Flow toVip = d.decode(header(FlowDecoder.TYPE_DROP, 158, 1, tcp(1, 99, 40000, 80, 0x02)));
    assertThat(toVip.getDestinationService()).isEqualTo(web);
    assertThat(toVip.hasSourceService()).isFalse();

    // the reply after reverse NAT comes from the frontend
    Flow reply = d.decode(header(FlowDecoder.TYPE_TRACE, 0, 1, tcp(99, 1, 80, 40000, 0x12)));
    assertThat(reply.getSourceService()).isEqualTo(web);
    assertThat(reply.hasDestinationService()).isFalse();

    // the same address on another port, and a backend address, are no service
    Flow otherPort = d.decode(header(FlowDecoder.TYPE_TRACE, 0, 1, tcp(1, 99, 40000, 81, 0x02)));
    assertThat(otherPort.hasDestinationService()).isFalse();
    Flow backend = d.decode(header(FlowDecoder.TYPE_TRACE, 0, 1, tcp(1, 2, 40000, 80, 0x02)));
    assertThat(backend.hasDestinationService()).isFalse();
  }

  @Test
  void otherRecordsAreNotFlows() {
    byte[] r = header(2, 0, 1, tcp(1, 2, 1, 2, 0));
    assertThat(decoder.decode(r)).isNull();
    assertThat(decoder.decode(new byte[10])).isNull();
  }
}
