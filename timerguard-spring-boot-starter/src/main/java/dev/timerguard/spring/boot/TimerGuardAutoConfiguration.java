package dev.timerguard.spring.boot;

import dev.timerguard.live.GrowthWatch;
import dev.timerguard.micrometer.TimerGuardMetrics;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * TimerGuard in a Spring Boot application: starts the process-wide {@link GrowthWatch} with the
 * {@code timerguard.watch.*} settings, binds {@link TimerGuardMetrics} to Micrometer (so {@code
 * /actuator/prometheus} shows the {@code timerguard_*} metrics), and, with actuator, adds the
 * {@code /actuator/timerguard} endpoint and the {@code timerguard} health contributor.
 *
 * <p><b>Watch ownership.</b> The starter holds a {@link GrowthWatch#leaseShared lease} on the
 * shared watch: it starts the watch if none runs yet, and when the context closes it releases its
 * lease, which stops the watch only if no other context holds one and nobody started it for good
 * (the TimerGuard agent, the application). If one runs already, its settings win. An application
 * (or a test) can supply its own {@link GrowthWatch} bean instead; the starter then starts nothing.
 *
 * <p><b>Bad input.</b> Unknown {@code timerguard.*} keys and malformed values stop the application
 * at startup with one line naming the property and the accepted values; {@code
 * timerguard.enabled=false} turns everything off.
 */
@AutoConfiguration(
    afterName = {
      "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
      "org.springframework.boot.micrometer.metrics.autoconfigure"
          + ".CompositeMeterRegistryAutoConfiguration"
    })
@Conditional(EnabledCondition.class)
@EnableConfigurationProperties
public class TimerGuardAutoConfiguration {

  /** The checked settings (checked here, bound by Spring right after). */
  @Bean
  @ConditionalOnMissingBean
  static TimerGuardProperties timerGuardProperties(Environment environment) {
    PropertiesCheck.check(environment);
    return new TimerGuardProperties();
  }

  @Bean
  @ConditionalOnMissingBean(GrowthWatch.class)
  SharedWatch timerGuardSharedWatch(TimerGuardProperties properties) {
    return new SharedWatch(GrowthWatch.leaseShared(properties.getWatch().toBuilder()));
  }

  @Bean(destroyMethod = "") // the SharedWatch (or the application) owns it
  @ConditionalOnMissingBean(GrowthWatch.class)
  GrowthWatch timerGuardGrowthWatch(SharedWatch shared) {
    return shared.watch;
  }

  /** The Micrometer binder; Spring Boot binds every {@code MeterBinder} bean to its registries. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "io.micrometer.core.instrument.binder.MeterBinder")
  static class MetricsConfiguration {
    @Bean
    @ConditionalOnMissingBean
    TimerGuardMetrics timerGuardMetrics(GrowthWatch watch, TimerGuardProperties properties) {
      return TimerGuardMetrics.builder()
          .watch(watch)
          .maxSites(properties.getMetrics().getMaxSites())
          .build();
    }
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(
      name = {
        "org.springframework.boot.actuate.endpoint.annotation.Endpoint",
        "org.springframework.boot.actuate.autoconfigure.endpoint.condition"
            + ".ConditionalOnAvailableEndpoint"
      })
  static class EndpointConfiguration {
    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnAvailableEndpoint(endpoint = TimerGuardEndpoint.class)
    TimerGuardEndpoint timerGuardEndpoint(GrowthWatch watch, TimerGuardProperties properties) {
      return new TimerGuardEndpoint(watch, properties.getMetrics().getMaxSites());
    }
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
  static class HealthConfiguration {
    @Bean(name = "timerguardHealthIndicator")
    @ConditionalOnMissingBean(name = "timerguardHealthIndicator")
    @ConditionalOnEnabledHealthIndicator("timerguard")
    TimerGuardHealthIndicator timerguardHealthIndicator(
        GrowthWatch watch, TimerGuardProperties properties) {
      return new TimerGuardHealthIndicator(watch, properties.getHealth().isDownOnRapid());
    }
  }

  /**
   * This context's hold on the shared watch: released on close, which stops the watch only when no
   * other context holds it and nobody (the agent, the application) started it for good.
   */
  static final class SharedWatch implements DisposableBean {
    final GrowthWatch.Lease lease;
    final GrowthWatch watch;

    SharedWatch(GrowthWatch.Lease lease) {
      this.lease = lease;
      this.watch = lease.watch();
    }

    @Override
    public void destroy() {
      lease.close();
    }
  }
}
