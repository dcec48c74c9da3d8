import { type INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { SERVICE_VERSION } from '../protocols/plansync/health.controller.js';

/** OpenAPI for the JSON protocols and the Admin API: one tag each, one security scheme per credential. */
export function buildOpenApi(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Plangate')
    .setDescription('Multi-protocol planning gateway: PlanSync REST, Forward Planner v2, Planpoint, reverse ETL and the Admin API.')
    .setVersion(SERVICE_VERSION)
    .addTag('admin', 'Accounts, users and API keys (Bearer ADMIN_TOKEN)')
    .addTag('plansync', 'PlanSync REST v1 (X-API-Key)')
    .addTag('forward-planner', 'Forward Planner v2 (POST /api/v2/auth, then Bearer <access token>)')
    .addTag('reverse-etl', 'Planasonix-style reverse ETL (/api/reverse-etl and /v1/api/reverse-etl; Bearer <API key>, admin users)')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'ADMIN_TOKEN' }, 'admin')
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Key' }, 'plansync')
    .addBearerAuth(
      { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'access token from POST /api/v2/auth' },
      'forward-planner',
    )
    .addTag('planpoint', 'Planpoint API (Bearer API key or JWT from /api/users/login)')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'API key or Planpoint access token' }, 'planpoint')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'an API key (psk_…) of an admin user' }, 'reverse-etl')
    .build();
  return SwaggerModule.createDocument(app, config);
}

export function mountDocs(app: INestApplication): void {
  SwaggerModule.setup('docs', app, () => buildOpenApi(app), {
    jsonDocumentUrl: 'openapi.json',
    yamlDocumentUrl: 'openapi.yaml',
    customSiteTitle: 'Plangate API',
  });
}
