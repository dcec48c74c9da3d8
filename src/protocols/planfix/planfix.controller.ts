import { All, Controller, Header, HttpCode } from '@nestjs/common';
import { PlanfixApi } from './planfix-auth.guard.js';
import { PlanfixMethods } from './planfix-methods.js';
import { CurrentCall, type PlanfixCall } from './wire/planfix-call.js';
import { okResponse, XML_CONTENT_TYPE } from './wire/xml-response.js';

/** The one entry point of the Planfix XML API (docs/planfix.md): `/xml/` and `/xml`, any HTTP method, no redirect. */
@PlanfixApi()
@Controller()
export class PlanfixController {
  constructor(private readonly methods: PlanfixMethods) {}

  @All(['xml', 'xml/'])
  @HttpCode(200)
  @Header('Content-Type', XML_CONTENT_TYPE)
  async call(@CurrentCall() call: PlanfixCall): Promise<string> {
    return okResponse(await this.methods.run(call));
  }
}
