// Validated input: a JSON body with a nested array and a query value, described
// by class-validator classes and checked before the request takes a worker.
//
//   curl -i -X POST 'http://127.0.0.1:9000/orders?priority=3' -H 'content-type: application/json' \
//        -d '{"customer":"ada","lines":[{"sku":"tea","quantity":2}]}'       → 201 {"items":2,"priority":3,…}
//   … -d '{"customer":"ada","lines":[{"sku":"tea","quantity":0}]}'          → 400, details: lines › 0 › quantity
//   … -d '{"customer":"ada","lines":[],"coupon":"FREE"}'                    → 400: coupon is unknown, lines is empty

import 'reflect-metadata';
import { Type } from 'class-transformer';
import { ArrayNotEmpty, IsInt, IsOptional, IsString, Min, ValidateNested } from 'class-validator';
import { Controller, HttpPoolApp, Post, type HttpPoolOptions, type HttpRequest, type HttpResponse } from 'httppool';

export class OrderLine {
  @IsString()
  sku!: string;

  @IsInt()
  @Min(1)
  quantity!: number;
}

export class CreateOrder {
  @IsString()
  customer!: string;

  // Nested classes need both: @ValidateNested to check them, @Type to build them.
  @ArrayNotEmpty()
  @ValidateNested({ each: true })
  @Type(() => OrderLine)
  lines!: OrderLine[];
}

export class OrderQuery {
  // Query values arrive as strings; `?priority=3` becomes the number 3.
  @IsOptional()
  @IsInt()
  @Min(1)
  priority: number = 1;
}

@Controller('/orders')
export class OrderController {
  @Post('', { body: CreateOrder, query: OrderQuery, unknownProperties: 'reject' })
  create(res: HttpResponse, req: HttpRequest<CreateOrder, OrderQuery>) {
    const items = req.body.lines.reduce((sum, line) => sum + line.quantity, 0);
    res.statusCode = 201;
    return { customer: req.body.customer, items, priority: req.query.priority };
  }
}

export async function main(
  port = Number(process.env.PORT ?? 9000),
  logger: HttpPoolOptions['logger'] = {},
): Promise<HttpPoolApp> {
  const app = await HttpPoolApp.bootstrap({ controllers: [OrderController], workers: 8, bodyLimit: 64 * 1024, logger });
  await app.listen(port, '127.0.0.1');
  return app;
}

if (require.main === module) {
  main().then(
    (app) => console.log('listening on', app.server.address()),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
