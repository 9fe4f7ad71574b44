import type { ContainerModule } from 'inversify';
import { parserLiveModule } from '@parley/parser-live';
import { parserV1Module } from '@parley/parser-v1';
import { parserV2Module } from '@parley/parser-v2';

/** The protocol modules the `parley` command registers, in load order (v1, v2, live). */
export const protocolModules: readonly ContainerModule[] = [parserV1Module, parserV2Module, parserLiveModule];
