/**
 * The controller's error mapping (issue 6): @memoco/service-kit's handler with the
 * registries whose codes the controller's routes can throw, and its own codes for Fastify's
 * errors and unknown routes.
 */
import type { FastifyInstance } from 'fastify';
import { COMMON_ERRORS, PROTOCOL_ERRORS, type ErrorRegistry } from '@memoco/protocol';
import { FLEETPLAN_ERRORS } from '@memoco/fleet-plan';
import { RUNSTORE_ERRORS } from '@memoco/run-store';
import { installErrorHandlers as installServiceErrorHandlers } from '@memoco/service-kit';
import { CONTROLLER_ERRORS } from './errors.ts';

const REGISTRIES: ErrorRegistry[] = [COMMON_ERRORS, PROTOCOL_ERRORS, FLEETPLAN_ERRORS, RUNSTORE_ERRORS, CONTROLLER_ERRORS];

export function installErrorHandlers(app: FastifyInstance): void {
  installServiceErrorHandlers(app, {
    registries: REGISTRIES,
    codes: { badRequest: 'CONTROLLER_ERR_BAD_REQUEST', bodyTooLarge: 'CONTROLLER_ERR_BODY_TOO_LARGE', notFound: 'CONTROLLER_ERR_NOT_FOUND' },
    service: 'controller',
  });
}
