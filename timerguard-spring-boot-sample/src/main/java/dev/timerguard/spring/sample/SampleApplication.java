package dev.timerguard.spring.sample;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A small web application with the TimerGuard starter: {@code GET /leaky} leaks one timer per
 * request, {@code GET /healthy} does the same work without the leak; {@code /actuator/health},
 * {@code /actuator/prometheus} and {@code /actuator/timerguard} show the difference. Port: {@code
 * server.port} (default 8080). Run with {@code java -jar
 * timerguard-spring-boot-sample/target/timerguard-spring-boot-sample.jar --server.port=8080
 * --timerguard.watch.time-compression=600} to see a leak called rapid within seconds instead of ten
 * minutes.
 */
@SpringBootApplication
public class SampleApplication {
  public static void main(String[] args) {
    SpringApplication.run(SampleApplication.class, args);
  }
}
