import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { StoreService } from '#store';

/** The gateway's Prometheus metrics, one registry per application instance (tests build several). */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  private readonly requests = new Counter({
    name: 'plangate_http_requests_total',
    help: 'HTTP requests by protocol, route and status',
    labelNames: ['protocol', 'route', 'status'] as const,
    registers: [this.registry],
  });
  private readonly latency = new Histogram({
    name: 'plangate_http_request_duration_seconds',
    help: 'HTTP request latency by protocol',
    labelNames: ['protocol'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [this.registry],
  });
  readonly limitRejections = new Counter({
    name: 'plangate_limit_rejections_total',
    help: 'Requests refused by a rate limit or quota, by protocol',
    labelNames: ['protocol'] as const,
    registers: [this.registry],
  });

  constructor(store: StoreService) {
    collectDefaultMetrics({ register: this.registry, prefix: 'plangate_' });
    new Gauge({
      name: 'plangate_store_pool_connections',
      help: 'Connections of the store pool by state',
      labelNames: ['state'] as const,
      registers: [this.registry],
      collect() {
        const pool = (store.dataSource.driver as unknown as { master?: { totalCount: number; idleCount: number; waitingCount: number } })
          .master;
        this.set({ state: 'total' }, pool?.totalCount ?? 0);
        this.set({ state: 'idle' }, pool?.idleCount ?? 0);
        this.set({ state: 'waiting' }, pool?.waitingCount ?? 0);
      },
    });
  }

  observe(protocol: string, route: string, status: number, seconds: number): void {
    this.requests.inc({ protocol, route, status: String(status) });
    this.latency.observe({ protocol }, seconds);
  }
}
