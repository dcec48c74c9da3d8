import { Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOperation, ApiResponse } from '@nestjs/swagger';
import { type Request, type Response } from 'express';
import { DomainError } from '#errors';
import { assertApiAccess, ForwardPlannerLoginApi } from './forward-planner-auth.guard.js';
import { Admits } from '../../pipeline/admission.js';
import { ForwardPlannerLimits } from './forward-planner-limits.js';
import { ForwardPlannerTokens } from './forward-planner-tokens.js';
import { SessionsService, type Session } from './sessions.service.js';
import { bucketUsername, credentialField, parseAuthBody, RAW_BODY_KEY, type RequestWithRawBody } from './wire/fp-auth-body.js';
import { sendJson } from './wire/fp-response.js';
import { FORWARD_PLANNER_SETTINGS } from './forward-planner-settings.js';

const SESSION_EXAMPLE = {
  userId: 42,
  productId: 1,
  email: 'alice@acme.test',
  token: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI0MiIs…',
  refreshToken: 'q0H3o7r1Vv9m3Q7b8mH2w0QnKf3a1W9yZ5cE2xT4uLs',
};
const FORM = ['application/json', 'application/x-www-form-urlencoded'];

/** Logins and renewals (docs/forward-planner.md): JSON or an HTML form, answered `Cache-Control: no-store`. */
@ForwardPlannerLoginApi()
@Controller('api/v2/auth')
export class AuthController {
  constructor(
    private readonly sessions: SessionsService,
    private readonly tokens: ForwardPlannerTokens,
    private readonly limits: ForwardPlannerLimits,
  ) {}

  @Post()
  @Admits({ credential: 'username and API key in the body', limit: 'fp-auth: 30 a minute per client IP and username' })
  @HttpCode(200)
  @ApiOperation({ summary: 'Log in with a username (or e-mail) and one of that user’s API keys' })
  @ApiConsumes(...FORM)
  @ApiBody({
    schema: {
      type: 'object',
      required: ['username', 'password'],
      properties: { username: { type: 'string' }, password: { type: 'string', description: 'an API key (psk_…)' } },
      example: { username: 'demo-admin', password: 'psk_…' },
    },
  })
  @ApiResponse({ status: 200, schema: { example: SESSION_EXAMPLE } })
  async login(@Req() req: Request & RequestWithRawBody, @Res() res: Response): Promise<void> {
    const raw = req[RAW_BODY_KEY];
    await this.limits.auth(req, res, bucketUsername(raw, req.headers['content-type']));
    const fields = parseAuthBody(raw, req.headers['content-type']);
    const username = credentialField(fields, 'username');
    const password = credentialField(fields, 'password');
    if (!username || !password) throw DomainError.invalid([{ field: 'username', issue: 'required' }], 'username and password are required');
    await this.answer(req, res, await this.sessions.login(username, password, assertApiAccess));
  }

  @Post('renew')
  @Admits({ credential: 'refresh token in the body', limit: 'fp-public: 30 a minute per client IP' })
  @HttpCode(200)
  @ApiOperation({ summary: 'Rotate a refresh token: a new access token and a new refresh token (the old one is spent)' })
  @ApiConsumes(...FORM)
  @ApiBody({
    schema: {
      type: 'object',
      required: ['refreshToken'],
      properties: { refreshToken: { type: 'string' } },
      example: { refreshToken: 'the refreshToken of the last answer' },
    },
  })
  @ApiResponse({ status: 200, schema: { example: SESSION_EXAMPLE } })
  @ApiResponse({ status: 400, description: 'unknown, expired, revoked or already used refresh token: log in again' })
  async renew(@Req() req: Request & RequestWithRawBody, @Res() res: Response): Promise<void> {
    await this.limits.public(req, res);
    const fields = parseAuthBody(req[RAW_BODY_KEY], req.headers['content-type']);
    const refreshToken = credentialField(fields, 'refreshToken');
    if (!refreshToken) throw DomainError.invalid([{ field: 'refreshToken', issue: 'required' }], 'refreshToken is required');
    await this.answer(req, res, await this.sessions.renew(refreshToken, assertApiAccess));
  }

  /** Exactly the five fields of the login answer (docs/forward-planner.md). */
  private answer(req: Request, res: Response, session: Session): Promise<void> {
    const p = session.principal;
    const body = {
      userId: p.userNumber,
      productId: FORWARD_PLANNER_SETTINGS.of(p).product_id,
      email: p.email,
      token: this.tokens.issue(session),
      refreshToken: session.refreshToken,
    };
    return sendJson(req, res, body, { 'Cache-Control': 'no-store', Pragma: 'no-cache' });
  }
}
