import { DynamicModule, ForwardReference, Type } from '@nestjs/common';
import { MODULE_METADATA } from '@nestjs/common/constants';
import { tmpdir } from 'node:os';
import { AppModule } from '../app.module';
import { loadApiConfig } from '../config/api.config';
import { RouteDescription, buildOpenApiDocument, routesOf } from './openapi.document';

type ModuleRef = Type | DynamicModule | ForwardReference | Promise<DynamicModule> | undefined;

/**
 * The controllers of a module graph, read from the same module metadata Nest scans,
 * without creating the app: for tools and tests that need the document before (or
 * without) a running instance. The served document comes from the running app.
 */
export function controllersOf(root: ModuleRef): Type[] {
  const controllers = new Set<Type>();
  const seen = new Set<unknown>();
  const visit = (ref: ModuleRef): void => {
    if (!ref || ref instanceof Promise || seen.has(ref)) return;
    seen.add(ref);
    if ('forwardRef' in ref) return visit((ref.forwardRef as () => ModuleRef)());
    const dynamic = 'module' in ref ? ref : undefined;
    const type = dynamic ? dynamic.module : (ref as Type);
    const own = (Reflect.getMetadata(MODULE_METADATA.CONTROLLERS, type) as Type[] | undefined) ?? [];
    for (const controller of [...own, ...(dynamic?.controllers ?? [])]) controllers.add(controller);
    const imports = (Reflect.getMetadata(MODULE_METADATA.IMPORTS, type) as ModuleRef[] | undefined) ?? [];
    for (const imported of [...imports, ...((dynamic?.imports as ModuleRef[] | undefined) ?? [])]) visit(imported);
    if (dynamic && !seen.has(type)) visit(type);
  };
  visit(root);
  return [...controllers];
}

/** The routes of the shipped app's module graph (embedded mode; distributed registers the same routes). */
export function apiRoutes(): RouteDescription[] {
  const config = loadApiConfig({ DATA_DIR: tmpdir(), NODE_ENV: 'test', LOG_LEVEL: 'silent' });
  const waymark = { products: [], seedSpecs: [], apiKeys: [], apiKeysDeclared: false, source: 'openapi' };
  return routesOf(controllersOf(AppModule.forRoot(config, waymark)));
}

/** The document the app serves, built without starting it (npm run lint:openapi, the fuzz tests). */
export function buildApiDocument(): Record<string, unknown> {
  return buildOpenApiDocument(apiRoutes());
}
